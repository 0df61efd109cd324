"""Pages of the challenge programme, mounted at /<lang>/challenges/."""

from django.urls import path, re_path

from cityexchange.challenges import views

app_name = "challenges"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<slug:slug>/", views.round_detail, name="round"),
    path("rounds/<slug:slug>/publish/", views.publish, name="publish"),
    path("rounds/<slug:slug>/challenges/", views.catalogue, name="catalogue"),
    path("rounds/<slug:slug>/challenges/new/", views.challenge_new, name="challenge_new"),
    path("rounds/<slug:slug>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("rounds/<slug:slug>/ideas/", views.ideas, name="ideas"),
    path("rounds/<slug:slug>/ideas/new/", views.idea_new, name="idea_new"),
    path("idea/<int:pk>/select/", views.idea_select, name="idea_select"),
    path("idea/<int:pk>/submit/", views.idea_submit, name="idea_submit"),
    path("rounds/<slug:slug>/evaluation/", views.workspace, name="workspace"),
    path("rounds/<slug:slug>/panel/", views.panel, name="panel"),
    re_path(
        r"^rounds/(?P<slug>[-\w]+)/challenges\.(?P<fmt>csv|xlsx)$", views.export, name="export"
    ),
    path("challenge/<int:pk>/", views.challenge_detail, name="challenge"),
    path("challenge/<int:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenge/<int:pk>/withdraw/", views.challenge_withdraw, name="challenge_withdraw"),
    path("challenge/<int:pk>/revision/", views.challenge_revision, name="challenge_revision"),
    path("challenge/<int:pk>/interest/", views.interest, name="interest"),
    path("challenge/<int:pk>/attach/", views.attachment_add, name="attachment_add"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachment/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("proposal/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposal/<int:pk>/invite/", views.proposal_invite, name="proposal_invite"),
    path("proposal/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposal/<int:pk>/conflict/", views.conflict, name="conflict"),
    path("proposal/<int:pk>/score/", views.score, name="score"),
    path("proposal/<int:pk>/consensus/", views.consensus, name="consensus"),
    path("pilot/<int:pk>/", views.pilot_detail, name="pilot"),
    path("report/<int:pk>/", views.pilot_report_file, name="pilot_report"),
    path("rounds/<slug:slug>/pilots/", views.pilots_overview, name="pilots"),
    path("rounds/<slug:slug>/offer/", views.round_offer, name="round_offer"),
    path("member/<int:pk>/answer/", views.member_answer, name="member_answer"),
    path("member/<int:pk>/budget/", views.member_budget, name="member_budget"),
    path("member/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
