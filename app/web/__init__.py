"""The browser side served by Parley itself: GraphiQL from vendored assets, and the web client."""
