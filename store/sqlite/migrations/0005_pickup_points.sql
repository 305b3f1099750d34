-- The pickup point or locker an order is sent to, as a column so that a
-- point's parcels are counted without reading every order.
ALTER TABLE orders ADD COLUMN redirect_to TEXT;
UPDATE orders SET redirect_to = json_extract(data, '$.redirect_to') WHERE json_extract(data, '$.redirect_to') IS NOT NULL;
CREATE INDEX orders_redirect ON orders (station_id, redirect_to) WHERE redirect_to IS NOT NULL;
