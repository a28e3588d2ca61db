"""The policy register: control measures as data, their states and the instruments news names."""
