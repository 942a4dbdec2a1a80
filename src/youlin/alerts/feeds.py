"""The Atom feed of a community (/p/<slug>/feed.atom): new cases without personal data, public notices,
completed projects and bulletins. Django's syndication framework writes valid Atom 1.0."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from youlin.alerts import selectors
from youlin.places.models import Community


class CommunityFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        community = Community.objects.select_related("subdistrict").filter(slug=slug).first()
        if community is None:
            raise Http404
        return community

    def title(self, community):
        return _("%(community)s动态") % {"community": community.name}

    def subtitle(self, community):
        return _("%(subdistrict)s · %(community)s：新的诉求、公示、完工项目和简报") % {
            "subdistrict": community.subdistrict.name,
            "community": community.name,
        }

    def link(self, community):
        return reverse("community-public", args=[community.slug])

    def feed_url(self, community):
        return reverse("community-feed", args=[community.slug])

    def author_name(self, community):
        return community.name

    def items(self, community):
        return selectors.feed_items(community)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.path

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.kind]
