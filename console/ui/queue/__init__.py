"""The churn queue screen: table model, filters, detail pane and the page that holds them."""
