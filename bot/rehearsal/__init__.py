"""`cutover-bot rehearse`: a whole cutover on a virtual clock and a simulated platform."""
