"""The weekly digest: `context` (the week from the store), `render` (subject, text, HTML),
`send` (the e-mail, once a week), `chart` (the export series and their chart)."""
