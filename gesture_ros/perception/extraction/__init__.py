"""Keypoint extraction in named, typed stages (perception/extractor.KeypointExtractor runs them).

    image ──prepare──▶ PreparedImage ──┬─ pose stage ──▶ persons ──▶ hand regions (pose wrists)
                                       └─ hand stage ──▶ hands ─────┴─▶ recovery checks ──▶ KeypointFrame

- ``image``: colour conversion once, large frames scaled down (PreparedImage).
- ``pose_stage``: MediaPipe Pose (or Holistic) → ``Person`` (one today; a list, so several
  people fit the same interface).
- ``hand_regions``: where a person's hands should be, from the pose wrists (``HandRegion``);
  the recovery checks use them, and hand crops can be cut from them.
- ``hand_stage``: MediaPipe Hands in tracking mode that can forget what it tracks (re-detect).
- ``recovery``: hands that disagree with the body or with themselves are re-detected.
- ``assemble``: hands associated to the person, packed into the KeypointFrame.
"""
