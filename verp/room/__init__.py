"""What the room may see: principles, prompt sets, the running order of a workshop."""
