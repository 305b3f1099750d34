-- Service times are learned as ratios to the planned service (kind
-- service_ratio); the absolute means of kind service mixed short and long
-- stops and counted waiting for time windows, and are no longer read.
DELETE FROM learned WHERE kind = 'service';
