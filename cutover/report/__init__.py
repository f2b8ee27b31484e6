"""The post-cutover report as a pure view model of the log."""
