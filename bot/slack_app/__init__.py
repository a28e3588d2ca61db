"""The Bolt app: /chokepoint, buttons and App Home. Reads and writes the store; never posts alerts."""
