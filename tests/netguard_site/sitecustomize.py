"""Put on PYTHONPATH of a child process (a pty test running the real command) to install
the same network guard as the test session: the child cannot leave loopback either."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import netguard

netguard.install()
