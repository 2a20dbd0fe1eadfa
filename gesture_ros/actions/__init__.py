"""Gesture events to actions: the action map, one module per action type, the safe dispatcher."""
