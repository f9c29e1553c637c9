"""The read model: every stored field path (fields), the counting rules (counting), the member ledger, and the reads the API and progress events share."""
