-- Live tracking: the downsampled history of vehicles' positions and the
-- outbox of notifications, written in the same transaction as the change
-- that causes them.
CREATE TABLE positions (
	vehicle_id TEXT NOT NULL,
	at BIGINT NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	speed_ms DOUBLE PRECISION NOT NULL,
	bearing DOUBLE PRECISION NOT NULL,
	altitude_m DOUBLE PRECISION NOT NULL,
	accuracy_m DOUBLE PRECISION NOT NULL,
	battery DOUBLE PRECISION NOT NULL,
	source TEXT NOT NULL,
	PRIMARY KEY (vehicle_id, at)
);
CREATE INDEX positions_at ON positions (at);

CREATE TABLE outbox (
	seq BIGSERIAL PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	topic TEXT NOT NULL,
	station_id TEXT,
	order_id TEXT,
	channel TEXT NOT NULL,
	target TEXT NOT NULL,
	payload JSONB NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	last_error TEXT,
	delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
