"""A case's materials: uploads checked by content, stored encrypted, and the tell-once
supplement that completes a case needing materials."""
