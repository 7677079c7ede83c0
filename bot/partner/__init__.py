"""Partner mode: the person receiving the massage checks in and steers from their own phone.

prefs (the check-in and the adapted plan, pure) · store (the partner tables' SQL) · service
(invite, join, check-in, remote, ratings, ending the link) · follow (the session hooks: plan
adapter, safety gate, the receiver's remote) · pace (one message a second per chat) ·
replies (all text).
"""
