"""The time zone a centre runs on when its site file names none: Vietnam's (UTC+7,
no daylight saving). The server stores it as the site's default; the devices fall
back to it until they have read the site, or when its zone is unknown to them."""

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
