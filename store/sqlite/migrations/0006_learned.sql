-- What the live tracker learned per station: service times per stop type
-- and travel-time factors per hour of the day.
CREATE TABLE learned (
	station_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	n INTEGER NOT NULL,
	mean REAL NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (station_id, kind, key)
);
