CREATE TABLE stations (
	id TEXT PRIMARY KEY,
	version BIGINT NOT NULL,
	data JSONB NOT NULL
);

CREATE TABLE vehicles (
	id TEXT PRIMARY KEY,
	station_id TEXT NOT NULL,
	version BIGINT NOT NULL,
	data JSONB NOT NULL
);
CREATE INDEX vehicles_station ON vehicles (station_id, id);

CREATE TABLE drivers (
	id TEXT PRIMARY KEY,
	station_id TEXT NOT NULL,
	version BIGINT NOT NULL,
	data JSONB NOT NULL
);
CREATE INDEX drivers_station ON drivers (station_id, id);

CREATE TABLE orders (
	id TEXT PRIMARY KEY,
	station_id TEXT NOT NULL,
	external_id TEXT NOT NULL,
	status TEXT NOT NULL,
	service_date TEXT NOT NULL,
	plan_id TEXT,
	route_id TEXT,
	tracking_token TEXT NOT NULL UNIQUE,
	version BIGINT NOT NULL,
	data JSONB NOT NULL,
	UNIQUE (station_id, external_id)
);
CREATE INDEX orders_station_date ON orders (station_id, service_date, status);
CREATE INDEX orders_route ON orders (route_id);
CREATE INDEX orders_plan ON orders (plan_id);

CREATE TABLE parcels (
	station_id TEXT NOT NULL,
	barcode TEXT NOT NULL,
	order_id TEXT NOT NULL REFERENCES orders (id),
	PRIMARY KEY (station_id, barcode)
);
CREATE INDEX parcels_order ON parcels (order_id);

CREATE TABLE plans (
	id TEXT PRIMARY KEY,
	station_id TEXT NOT NULL,
	service_date TEXT NOT NULL,
	status TEXT NOT NULL,
	version BIGINT NOT NULL,
	data JSONB NOT NULL
);
CREATE INDEX plans_station_date ON plans (station_id, service_date);

CREATE TABLE plan_routes (
	route_id TEXT PRIMARY KEY,
	plan_id TEXT NOT NULL REFERENCES plans (id)
);
CREATE INDEX plan_routes_plan ON plan_routes (plan_id);

CREATE TABLE events (
	seq BIGSERIAL PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	at BIGINT NOT NULL,
	station_id TEXT,
	entity_type TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	type TEXT NOT NULL,
	status TEXT,
	actor_key TEXT,
	actor_role TEXT,
	actor_name TEXT,
	lat DOUBLE PRECISION,
	lon DOUBLE PRECISION,
	data JSONB
);
CREATE INDEX events_entity ON events (entity_type, entity_id, seq);
CREATE INDEX events_station ON events (station_id, seq);
CREATE INDEX events_type_at ON events (type, at);

-- The log is append-only: the database refuses to change or delete it.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	hash TEXT NOT NULL UNIQUE,
	version BIGINT NOT NULL,
	data JSONB NOT NULL
);

CREATE TABLE idempotency (
	owner TEXT NOT NULL,
	ikey TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	status INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	body BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (owner, ikey)
);
