"""visualization_msgs/MarkerArray skeletons of KeypointFrames (one per person), in the camera's frame."""

from __future__ import annotations

import math

from geometry_msgs.msg import Point
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from gesture_ros.common.landmarks import KeypointFrame, Part
from gesture_ros.common.skeleton import ImagePlane, bone_segments, part_color


def _marker(header: Header, ns: str, kind: int, rgb: tuple[float, float, float], scale: float) -> Marker:
    r, g, b = rgb
    m = Marker(header=header, ns=ns, id=0, type=kind, action=Marker.ADD)
    m.pose.orientation.w = 1.0
    m.scale.x = m.scale.y = m.scale.z = scale
    m.color = ColorRGBA(r=r, g=g, b=b, a=1.0)
    return m


def _point(xyz) -> Point:
    x, y, z = xyz
    return Point(x=float(x), y=float(y), z=float(z))


def skeleton_markers(frame: KeypointFrame, header: Header, plane: ImagePlane,
                     line_width_m: float = 0.005) -> MarkerArray:
    """Return DELETEALL then, per detected part, a LINE_LIST of bones and a SPHERE_LIST of joints.

    ``header`` is the image's (camera optical frame, capture stamp); points lie on ``plane``.
    """
    return people_markers([frame], header, plane, line_width_m)


def people_markers(frames: list[KeypointFrame], header: Header, plane: ImagePlane,
                   line_width_m: float = 0.005) -> MarkerArray:
    """Return DELETEALL then each person's skeleton; a tracked person's namespaces start ``person<id>/``,
    their pose has the person's colour and a text label ``person <id>`` sits above the nose."""
    markers: list[Marker] = [Marker(header=header, action=Marker.DELETEALL)]
    for frame in frames:
        prefix = f"person{frame.person_id}/" if frame.person_id else ""
        for part in Part:
            landmarks = frame.part(part)
            if landmarks is None:
                continue
            rgb = part_color(part, frame.person_id)
            points = plane.project(landmarks, frame.image_width, frame.image_height)
            segments = bone_segments(points, part)
            if len(segments):
                bones = _marker(header, f"{prefix}{part.value}/bones", Marker.LINE_LIST, rgb, line_width_m)
                bones.points = [_point(p) for p in segments.reshape(-1, 3)]
                markers.append(bones)
            joints = _marker(header, f"{prefix}{part.value}/joints", Marker.SPHERE_LIST, rgb, 2.5 * line_width_m)
            joints.points = [_point(p) for p in points if all(map(math.isfinite, p))]
            markers.append(joints)
            if part == Part.POSE and frame.person_id and all(map(math.isfinite, points[0])):
                label = _marker(header, f"{prefix}label", Marker.TEXT_VIEW_FACING, rgb, 8 * line_width_m)
                label.text = f"person {frame.person_id}"
                label.pose.position = _point(points[0])
                label.pose.position.y -= 12 * line_width_m
                markers.append(label)
    return MarkerArray(markers=markers)
