-- The influencers of one province in the default order (display name, Vietnamese collation):
-- a page of a province filter walks this index and stops at the page, one branch per code of the
-- province's group (db/page.go, splitOneOf). Without it the planner walked
-- influencer_display_name_vi and filtered by province: the first page of the Đà Nẵng group read
-- 37 ms warm, 317 ms cold at 200,000 influencers.
CREATE INDEX influencer_province_display_name_vi ON influencer (province, (display_name COLLATE "vi-x-icu"), id);
