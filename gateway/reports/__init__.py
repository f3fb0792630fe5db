"""Reports and exports: rendering (PDF, XLSX, CSV), signed download links, streamed data
exports and the scheduler that delivers scheduled reports (email, webhook) exactly once."""
