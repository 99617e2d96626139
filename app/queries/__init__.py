"""Read use cases with authorization, mirroring actions/."""
