-- Webhook receivers registered through the API. The secret signs the
-- calls, so it is kept as is (not hashed).
CREATE TABLE webhooks (
	id TEXT PRIMARY KEY,
	url TEXT NOT NULL UNIQUE,
	secret TEXT NOT NULL,
	data JSONB NOT NULL
);
