"""What the launch starts (the plan) and the one-process runner that starts the same nodes."""
