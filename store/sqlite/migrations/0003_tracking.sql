-- Live tracking: the downsampled history of vehicles' positions and the
-- outbox of notifications, written in the same transaction as the change
-- that causes them.
CREATE TABLE positions (
	vehicle_id TEXT NOT NULL,
	at INTEGER NOT NULL,
	lat REAL NOT NULL,
	lon REAL NOT NULL,
	speed_ms REAL NOT NULL,
	bearing REAL NOT NULL,
	altitude_m REAL NOT NULL,
	accuracy_m REAL NOT NULL,
	battery REAL NOT NULL,
	source TEXT NOT NULL,
	PRIMARY KEY (vehicle_id, at)
);
CREATE INDEX positions_at ON positions (at);

CREATE TABLE outbox (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	topic TEXT NOT NULL,
	station_id TEXT,
	order_id TEXT,
	channel TEXT NOT NULL,
	target TEXT NOT NULL,
	payload TEXT NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
