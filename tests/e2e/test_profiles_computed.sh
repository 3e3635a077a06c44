#!/usr/bin/env bash
# What the Customer Profiles sandbox computes, through `cpwarden api` over HTTP: a calculated
# attribute's value from a profile's objects, a merge that moves keys and objects, its history,
# a match group and its identity resolution job, the recommender lifecycle driven by the
# sandbox clock, recommendations, the documented errors and a published request rate.
source "$(dirname "$0")/lib.sh"
start_sandbox  # AWS's published rates on; the default recommender_ms / identity_job_ms (5000)
PY=/usr/bin/python3
cp_() { "$CPWARDEN" api --endpoint-url "$ENDPOINT" --no-paginate customer-profiles "$@"; }
field() { $PY -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[int(k)] if isinstance(d, list) else d[k]
print(d if not isinstance(d,(dict,list)) else json.dumps(d))' "$1"; }
D=computed

cp_ CreateDomain "{\"DomainName\":\"$D\",\"DefaultExpirationDays\":30,\"Matching\":{\"Enabled\":true}}" >/dev/null
cp_ PutProfileObjectType "{\"DomainName\":\"$D\",\"ObjectTypeName\":\"Order\",\"Description\":\"o\",
  \"Keys\":{\"_custId\":[{\"StandardIdentifiers\":[\"PROFILE\"],\"FieldNames\":[\"cust\"]}],
            \"_orderId\":[{\"StandardIdentifiers\":[\"UNIQUE\"],\"FieldNames\":[\"order\"]}]}}" >/dev/null
put() { cp_ PutProfileObject "{\"DomainName\":\"$D\",\"ObjectTypeName\":\"Order\",\"Object\":$($PY -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1")}" >/dev/null; }
put '{"cust":"c1","order":"o1","item":"apple","amount":5}'
put '{"cust":"c1","order":"o2","item":"pear","amount":7}'
put '{"cust":"c2","order":"o3","item":"pear","amount":1}'
put '{"cust":"c2","order":"o4","item":"fig","amount":2}'
p1=$(cp_ SearchProfiles "{\"DomainName\":\"$D\",\"KeyName\":\"_custId\",\"Values\":[\"c1\"]}" | field Items.0.ProfileId)
p2=$(cp_ SearchProfiles "{\"DomainName\":\"$D\",\"KeyName\":\"_custId\",\"Values\":[\"c2\"]}" | field Items.0.ProfileId)
check "objects made two profiles" test -n "$p1" -a -n "$p2" -a "$p1" != "$p2"

# A calculated attribute's value is computed from the profile's objects.
cp_ CreateCalculatedAttributeDefinition "{\"DomainName\":\"$D\",\"CalculatedAttributeName\":\"spend\",
  \"Statistic\":\"SUM\",\"AttributeDetails\":{\"Attributes\":[{\"Name\":\"amount\"}],\"Expression\":\"{Order.amount}\"}}" >/dev/null
check "SUM of c1's amounts is 12" test "$(cp_ GetCalculatedAttributeForProfile \
    "{\"DomainName\":\"$D\",\"ProfileId\":\"$p1\",\"CalculatedAttributeName\":\"spend\"}" | field Value)" = 12

# A match group: two profiles sharing an e-mail address, once the first job has completed.
a=$(cp_ CreateProfile "{\"DomainName\":\"$D\",\"EmailAddress\":\"ana@example.com\",\"FirstName\":\"Ana\"}" | field ProfileId)
b=$(cp_ CreateProfile "{\"DomainName\":\"$D\",\"EmailAddress\":\" ANA@example.com\",\"LastName\":\"Lee\"}" | field ProfileId)
check "no match before a job completes" test \
    "$(cp_ GetMatches "{\"DomainName\":\"$D\"}" | field PotentialMatches)" = 0
check "the first job is finding matches" test \
    "$(cp_ ListIdentityResolutionJobs "{\"DomainName\":\"$D\"}" | field IdentityResolutionJobsList.0.Status)" = FIND_MATCHING
advance_clock 5000
cp_ GetMatches "{\"DomainName\":\"$D\"}" >"$E2E_TMP/matches.json"
check "one match group of the two profiles" $PY -c 'import json,sys
d=json.load(open(sys.argv[1])); m=d["Matches"]
sys.exit(not (len(m)==1 and sorted(m[0]["ProfileIds"])==sorted(sys.argv[2:4]) and m[0]["ConfidenceScore"]==0.99))' \
    "$E2E_TMP/matches.json" "$a" "$b"

# A merge moves keys and objects, deletes the merged profile and is in the history.
cp_ AddProfileKey "{\"DomainName\":\"$D\",\"ProfileId\":\"$b\",\"KeyName\":\"loyalty\",\"Values\":[\"L1\"]}" >/dev/null
cp_ MergeProfiles "{\"DomainName\":\"$D\",\"MainProfileId\":\"$a\",\"ProfileIdsToBeMerged\":[\"$b\",\"$p2\"]}" >/dev/null
check "the key moved to the main profile" test "$(cp_ SearchProfiles \
    "{\"DomainName\":\"$D\",\"KeyName\":\"loyalty\",\"Values\":[\"L1\"]}" | field Items.0.ProfileId)" = "$a"
check "the objects moved to the main profile" test "$(cp_ ListProfileObjects \
    "{\"DomainName\":\"$D\",\"ObjectTypeName\":\"Order\",\"ProfileId\":\"$a\"}" | field Items | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2
check "the main profile took the merged one's LastName" test "$(cp_ BatchGetProfile \
    "{\"DomainName\":\"$D\",\"ProfileIds\":[\"$a\",\"$b\"]}" | field Profiles.0.LastName)" = Lee
check "history: MERGED is the newest record" test "$(cp_ ListProfileHistoryRecords \
    "{\"DomainName\":\"$D\",\"ProfileId\":\"$a\"}" | field ProfileHistoryRecords.0.ActionType)" = MERGED
check "history: the merged profile was DELETED_BY_MERGE" test "$(cp_ ListProfileHistoryRecords \
    "{\"DomainName\":\"$D\",\"ProfileId\":\"$b\"}" | field ProfileHistoryRecords.0.ActionType)" = DELETED_BY_MERGE

# Documented errors over the wire.
cp_ ListProfileObjects "{\"DomainName\":\"$D\",\"ObjectTypeName\":\"Nope\",\"ProfileId\":\"$a\"}" >/dev/null 2>"$E2E_TMP/err" || true
check "ListProfileObjects of an unknown type: ResourceNotFoundException" grep -q ResourceNotFoundException "$E2E_TMP/err"
cp_ ListProfileObjects "{\"DomainName\":\"$D\",\"ObjectTypeName\":\"Order\",\"ProfileId\":\"$b\"}" >/dev/null 2>"$E2E_TMP/err" || true
check "ListProfileObjects of a merged-away profile: ResourceNotFoundException" grep -q ResourceNotFoundException "$E2E_TMP/err"
cp_ StartRecommender "{\"DomainName\":\"$D\",\"RecommenderName\":\"none\"}" >/dev/null 2>"$E2E_TMP/err" || true
check "an unknown recommender: ResourceNotFoundException" grep -q ResourceNotFoundException "$E2E_TMP/err"

# The recommender lifecycle follows the sandbox clock in steps of recommender_ms.
cp_ CreateRecommender "{\"DomainName\":\"$D\",\"RecommenderName\":\"rec\",\"RecommenderRecipeName\":\"recommended-for-you\"}" >/dev/null
status() { cp_ GetRecommender "{\"DomainName\":\"$D\",\"RecommenderName\":\"rec\"}" | field Status; }
check "a new recommender is PENDING" test "$(status)" = PENDING
cp_ GetProfileRecommendations "{\"DomainName\":\"$D\",\"ProfileId\":\"$p1\",\"RecommenderName\":\"rec\"}" >/dev/null 2>"$E2E_TMP/err" || true
check "no recommendation before ACTIVE: BadRequestException" grep -q BadRequestException "$E2E_TMP/err"
advance_clock 5000
check "then IN_PROGRESS" test "$(status)" = IN_PROGRESS
advance_clock 5000
check "then ACTIVE" test "$(status)" = ACTIVE
check "c1 is recommended fig, the only item it has not had" test "$(cp_ GetProfileRecommendations \
    "{\"DomainName\":\"$D\",\"ProfileId\":\"$p1\",\"RecommenderName\":\"rec\"}" | field Recommendations.0.CatalogItem.Id)" = fig
cp_ StopRecommender "{\"DomainName\":\"$D\",\"RecommenderName\":\"rec\"}" >/dev/null
check "stopping" test "$(status)" = STOPPING
advance_clock 5000
check "then INACTIVE" test "$(status)" = INACTIVE

# GetAutoMergingPreview's published rate is 1 request per second.
preview="{\"DomainName\":\"$D\",\"ConflictResolution\":{\"ConflictResolvingModel\":\"RECENCY\"},\"Consolidation\":{\"MatchingAttributesList\":[[\"EmailAddress\"]]}}"
: >"$E2E_TMP/err"
for _ in 1 2 3 4 5; do
    cp_ GetAutoMergingPreview "$preview" >/dev/null 2>>"$E2E_TMP/err" || true
done
check "five previews in a row: ThrottlingException" grep -q ThrottlingException "$E2E_TMP/err"

# Deleting the domain deletes what the operations above stored.
cp_ DeleteDomain "{\"DomainName\":\"$D\"}" >/dev/null
cp_ CreateDomain "{\"DomainName\":\"$D\",\"DefaultExpirationDays\":30}" >/dev/null
check "no recommender survives the domain" test \
    "$(cp_ ListRecommenders "{\"DomainName\":\"$D\"}" | field Recommenders)" = "[]"
stop_sandbox
finish
