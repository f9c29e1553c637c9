"""The federation gateway: ingress topics in, the contract's topics (or dead letters) out."""
