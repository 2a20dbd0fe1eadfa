"""Development support beside the runtime: benchmarks, demo runs and the peers tests and demos start.

Nothing under core, actions, bridge, ros or nodes imports this package.
"""
