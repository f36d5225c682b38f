"""Read and validate objectives.toml into a Plan, and find where the plan file comes from."""
