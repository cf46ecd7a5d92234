"""The web console (/web/) and the public pages (/public/): Starlette routes over the platform-free handlers/web."""
