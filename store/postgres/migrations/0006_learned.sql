-- What the live tracker learned per station: service times per stop type
-- and travel-time factors per hour of the day.
CREATE TABLE learned (
	station_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	n BIGINT NOT NULL,
	mean DOUBLE PRECISION NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (station_id, kind, key)
);
