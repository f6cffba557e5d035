"""Indicators (issue 8): migration and remittance series with their sources and licences, the
shipped datasets and their loaders, SDMX-CSV, remittance costs and SDG 10.c.1, firm-level RPW
prices, SDG 10.7.2 and 10.7.1, disclosure control, and the numbers of country profiles."""
