"""The live path: the bus, one log reader per process, event loading, replay, sockets' viewers."""
