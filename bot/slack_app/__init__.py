"""The Bolt app: /chokepoint, buttons and App Home. Reads the store, never posts alerts itself."""
