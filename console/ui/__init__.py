"""The Qt user interface: widgets bound to the services, never to `stripe`."""
