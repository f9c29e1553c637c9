"""HTTP: figure routes, the live stream, the dashboard page and the exports."""
