from gesture_ros.venue.cli import main

main()
