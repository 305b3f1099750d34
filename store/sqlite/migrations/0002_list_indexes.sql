-- Lists are ordered by id within a station, a route or a plan: these
-- indexes serve a page without sorting the station's orders.
CREATE INDEX orders_station_id ON orders (station_id, id);
CREATE INDEX orders_route_id ON orders (route_id, id);
CREATE INDEX orders_plan_id ON orders (plan_id, id);
CREATE INDEX plans_station_id ON plans (station_id, id);
DROP INDEX orders_route;
DROP INDEX orders_plan;
