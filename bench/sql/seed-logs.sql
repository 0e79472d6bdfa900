-- 2,000,000 audit rows for 1,000 users over 90 days: user 1 is the heavy user with 100,000 rows,
-- the other 1,900,000 spread over users 2..1000. A mix of statuses (85% success, 10% error,
-- 5% pending), types (80% telegram) and actions. Rows arrive in time order, as in production.
INSERT INTO integration_logs (user_id, integration_type, action, status, details, error_message, created_at, updated_at)
SELECT
  CASE WHEN g <= 100000 THEN 1 ELSE 2 + (g % 999) END,
  CASE WHEN g % 5 = 0 THEN 'vk' ELSE 'telegram' END,
  (ARRAY['send_code','sign_in','check_password','qr_export','qr_login','reconnect','disconnect','send_message'])[1 + g % 8],
  CASE WHEN g % 20 < 17 THEN 'success' WHEN g % 20 < 19 THEN 'error' ELSE 'pending' END,
  jsonb_build_object('dc_id', 1 + g % 3, 'attempt', g % 4),
  CASE WHEN g % 20 BETWEEN 17 AND 18 THEN 'PHONE_CODE_INVALID' END,
  ts, ts
FROM (
  SELECT g,
         now() - interval '90 days' + (interval '90 days' * (row_number() OVER (ORDER BY r)) / 2000000.0) AS ts
  FROM (SELECT g, random() AS r FROM generate_series(1, 2000000) AS g) s
) t
ORDER BY ts;
ANALYZE integration_logs;
