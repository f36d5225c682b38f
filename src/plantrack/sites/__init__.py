"""Exchange between sites: bundles of entries, verified on the way in."""
