-- Each route keeps its own copy of its document beside the plan's, so
-- that a request about one route reads that route, not the whole plan.
ALTER TABLE plan_routes ADD COLUMN data TEXT;

UPDATE plan_routes SET data = (
	SELECT r.value FROM plans p, json_each(p.data, '$.routes') r
	WHERE p.id = plan_routes.plan_id AND json_extract(r.value, '$.id') = plan_routes.route_id
);
