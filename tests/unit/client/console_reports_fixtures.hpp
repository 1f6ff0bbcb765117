// What the server answers for a report range (GET /v1/admin/reports and …/series, reports13's
// contract): a summary with every figure, tiers, a cohort and deferred revenue, and a weekly
// series of two buckets. Shared by the client's and the screen's tests.
#pragma once

namespace kopilka::client::fixtures {

constexpr const char* kSummary =
    R"({"from_ms":1,"to_ms":2,"currency":"EUR","point_value_minor":1,)"
    R"("receipts":{"count":10,"with_card":4,"card_share_permille":400,"revenue_minor":150000,)"
    R"("average_member_minor":20000,"average_non_member_minor":11666},)"
    R"("points":{"issued_points":900,"redeemed_points":300,"expired_points":90,)"
    R"("adjusted_points":-5,"redemption_ratio_permille":333,"breakage_permille":100},)"
    R"("liability":{"points":505,"minor":505},)"
    R"("members":{"enrolled":7,"active":3,"active_permille":428,)"
    R"("receipts_per_active_member_x1000":1333,"active_before":2,"churned":1,)"
    R"("churn_permille":500},)"
    R"("tiers":[{"id":"base","name":"Base","members":5},{"id":"gold","name":"Gold","members":2}],)"
    R"("cohorts":[{"month":"2026-10","members":4,"active":[4,2,1],)"
    R"("retention_permille":[1000,500,250]}],)"
    R"("spins":{"count":6,"wins":2,"prize_cost_minor":800,"budget_minor":null,)"
    R"("budget_used_permille":null},)"
    R"("program_cost":{"points_minor":300,"spins_minor":800,"total_minor":1100,)"
    R"("share_of_revenue_permille":7},)"
    R"("deferred_revenue":{"amount":480,"method":"relative_stand_alone_selling_price",)"
    R"("point_value_minor":1,"expected_breakage_permille":100,)"
    R"("breakage_basis":"trailing_12_months","points_outstanding":505,)"
    R"("allocated_in_period":870,"recognised_in_period":390}})";

constexpr const char* kSeries =
    R"({"from_ms":1,"to_ms":2,"bucket":"week","currency":"EUR","point_value_minor":1,)"
    R"("points":[{"from_ms":10,"to_ms":20,"receipts":6,"receipts_with_card":3,"revenue":900,)"
    R"("revenue_member":600,"revenue_non_member":300,"points_issued":60,"points_redeemed":20,)"
    R"("points_expired":5,"liability_points":35,"liability":35,"deferred_revenue":30,)"
    R"("members_enrolled":4,"members_active":3,"members_active_before":4,"members_churned":2,)"
    R"("churn_permille":500,"spin_prize_cost":100,"program_cost":120},)"
    R"({"from_ms":20,"to_ms":30,"receipts":4}]})";

}  // namespace kopilka::client::fixtures
