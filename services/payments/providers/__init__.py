"""Payment provider adapters behind one interface (see :mod:`services.payments.providers.base`)."""
