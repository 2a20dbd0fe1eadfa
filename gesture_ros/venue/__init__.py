"""The venue: one server that stores every device's gesture events exactly once and shows them live.

ROS-free (``pip install .[venue]``): intake (payload checks, identity from the topic), store
(SQLite or PostgreSQL, versioned migrations), ingest (MQTT 5 subscriber), web (live page) and cli.
"""
