-- Screening and search look accounts up by the platform's own user ID (a pasted
-- facebook.com/profile.php?id=… or youtube.com/channel/UC…) and by handle on every platform
-- at once (a handle given without its platform; the same handle on another platform is shown
-- as such): docs/screening.md. platform_account_handle (0001) serves (platform, handle) only.
CREATE INDEX platform_account_user_id ON platform_account (platform_user_id) WHERE platform_user_id IS NOT NULL;
CREATE INDEX platform_account_handle_any ON platform_account (lower(ltrim(handle, '@')));
