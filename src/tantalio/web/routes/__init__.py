"""The web app's routes, one module per area: login, pages, media, api, admin."""
