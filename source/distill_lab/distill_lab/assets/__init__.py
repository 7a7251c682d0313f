"""Project-owned local robot assets and their Isaac Lab asset configs."""
