"""The live room's state in the database: workshops, reflections, the group writer."""
