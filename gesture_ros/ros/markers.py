"""visualization_msgs/MarkerArray skeleton of a KeypointFrame, in the camera's frame."""

from __future__ import annotations

import math

from geometry_msgs.msg import Point
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from gesture_ros.core.landmarks import KeypointFrame, Part
from gesture_ros.core.skeleton import COLORS, ImagePlane, bone_segments


def _marker(header: Header, ns: str, kind: int, part: Part, scale: float) -> Marker:
    r, g, b = COLORS[part]
    m = Marker(header=header, ns=ns, id=0, type=kind, action=Marker.ADD)
    m.pose.orientation.w = 1.0
    m.scale.x = m.scale.y = m.scale.z = scale
    m.color = ColorRGBA(r=r, g=g, b=b, a=1.0)
    return m


def skeleton_markers(frame: KeypointFrame, header: Header, plane: ImagePlane,
                     line_width_m: float = 0.005) -> MarkerArray:
    """Return DELETEALL then, per detected part, a LINE_LIST of bones and a SPHERE_LIST of joints.

    ``header`` is the image's (camera optical frame, capture stamp); points lie on ``plane``.
    """
    markers: list[Marker] = [Marker(header=header, action=Marker.DELETEALL)]
    for part in Part:
        landmarks = frame.part(part)
        if landmarks is None:
            continue
        points = plane.project(landmarks, frame.image_width, frame.image_height)
        segments = bone_segments(points, part)
        if len(segments):
            bones = _marker(header, f"{part.value}/bones", Marker.LINE_LIST, part, line_width_m)
            bones.points = [Point(x=float(x), y=float(y), z=float(z)) for x, y, z in segments.reshape(-1, 3)]
            markers.append(bones)
        joints = _marker(header, f"{part.value}/joints", Marker.SPHERE_LIST, part, 2.5 * line_width_m)
        joints.points = [Point(x=float(x), y=float(y), z=float(z)) for x, y, z in points if all(map(math.isfinite, (x, y, z)))]
        markers.append(joints)
    return MarkerArray(markers=markers)
