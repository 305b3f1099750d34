-- Each route keeps its own copy of its document beside the plan's, so
-- that a request about one route reads that route, not the whole plan.
ALTER TABLE plan_routes ADD COLUMN data JSONB;

UPDATE plan_routes r SET data = e.value
FROM plans p, jsonb_array_elements(CASE WHEN jsonb_typeof(p.data -> 'routes') = 'array' THEN p.data -> 'routes' ELSE '[]'::jsonb END) e
WHERE p.id = r.plan_id AND e.value ->> 'id' = r.route_id;
