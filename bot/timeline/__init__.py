"""Firing what falls due: the due-sources, their actions and messages, the scheduler."""
